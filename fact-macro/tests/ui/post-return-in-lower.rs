// `post-return` belongs to the lifting side.
fact::fact_adapters!({
    inline: "package demo:app; world app {}",
    lower: { post_return: true },
});

fn main() {}
