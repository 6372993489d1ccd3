// A signature wrong in two ways is one mistake: one error.
#[elif::main]
fn app() -> elif::Result<()> {
    Ok(())
}
