// Two worlds and no `world: ".."` to choose one.
fact::fact_adapters!({
    inline: "
        package demo:two;
        world first { export hello: func(); }
        world second { export bye: func(); }
    ",
});

fn main() {}
