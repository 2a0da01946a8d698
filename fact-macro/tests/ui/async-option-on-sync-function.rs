// The `async` options belong to `async` functions (component-model #646):
// asked of a synchronous one, they are an error at its name.
fact::fact_adapters!({
    inline: "
        package demo:app;
        interface api {
            fetch: async func(url: string) -> list<u8>;
            size: func() -> u64;
        }
        world app { import api; }
    ",
    lift: { async: true, callback: true },
    functions: {
        "demo:app/api#size": { lower: { async: true } },
    },
});

fn main() {}
