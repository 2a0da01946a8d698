// A function takes `lift` and `lower` options only.
fact::fact_adapters!({
    inline: "
        package demo:app;
        interface api { greet: func(name: string) -> string; }
        world app { export api; }
    ",
    functions: {
        "[export]demo:app/api#greet": { short_strings: 0 },
    },
});

fn main() {}
