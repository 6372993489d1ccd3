#[elif::main]
async fn start() {}

fn main() {}
