use elif::prelude::*;

#[module()]
pub struct AppModule;

#[elif::main]
async fn main() -> elif::Result<()> {
    let _app = App::new().module(AppModule);
    Ok(())
}
