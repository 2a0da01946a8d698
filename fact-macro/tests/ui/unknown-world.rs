// A world the package does not have.
fact::fact_adapters!({
    inline: "
        package demo:app;
        world app { export hello: func(); }
    ",
    world: "ap",
});

fn main() {}
