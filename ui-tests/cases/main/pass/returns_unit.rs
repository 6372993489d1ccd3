#[elif::main]
async fn main() {
    let _ = 1 + 1;
}
