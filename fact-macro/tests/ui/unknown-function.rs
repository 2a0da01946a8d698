// Options for a function the world does not have: the error is at its
// name and lists the adapters there are.
fact::fact_adapters!({
    inline: "
        package demo:app;
        interface api { greet: func(name: string) -> string; }
        world app { export api; }
    ",
    functions: {
        "demo:app/api#greet": { lift: { string_encoding: "utf16" } },
    },
});

fn main() {}
