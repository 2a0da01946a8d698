// An option of a side that the macro does not know.
fact::fact_adapters!({
    inline: "package demo:app; world app {}",
    lift: { encoding: "utf16" },
});

fn main() {}
