// An option given twice.
fact::fact_adapters!({
    inline: "package demo:app; world app {}",
    lower: { memory64: true, realloc: true, memory64: false },
});

fn main() {}
