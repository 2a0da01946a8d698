// `short_strings` is a count of code units.
fact::fact_adapters!({
    inline: "package demo:app; world app {}",
    short_strings: -1,
});

fn main() {}
