// An `async` function: refused until the async ABI is compiled, never
// adapted with the sync ABI.
fact::fact_adapters!({
    inline: "
        package demo:app;
        interface api { fetch: async func(url: string) -> list<u8>; }
        world app { import api; }
    ",
});

fn main() {}
