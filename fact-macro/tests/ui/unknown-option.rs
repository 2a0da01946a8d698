// An option the macro does not know.
fact::fact_adapters!({
    inline: "package demo:app; world app {}",
    worlds: "app",
});

fn main() {}
