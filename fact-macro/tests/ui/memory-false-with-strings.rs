// A side without a memory cannot pass strings: fact-core refuses the world.
fact::fact_adapters!({
    inline: "
        package demo:app;
        world app { export greet: func(name: string) -> string; }
    ",
    lower: { memory: false, realloc: false },
});

fn main() {}
