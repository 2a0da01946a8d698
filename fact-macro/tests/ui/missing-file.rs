// A WIT path that does not exist (paths are relative to the crate's directory).
fact::fact_adapters!("wit/this-file-does-not-exist.wit");

fn main() {}
