// A string encoding the Component Model does not have.
fact::fact_adapters!({
    inline: "package demo:app; world app {}",
    lift: { string_encoding: "utf32" },
});

fn main() {}
