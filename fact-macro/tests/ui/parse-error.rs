// A WIT syntax error: reported with the WIT file, line and column.
fact::fact_adapters!({
    inline: "
        package demo:bad;
        world app {
            export greet: func(name: string) -> string
        }
    ",
});

fn main() {}
