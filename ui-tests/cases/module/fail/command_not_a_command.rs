// `commands(..)` lists types that implement `AppCommand`.
use elif::prelude::*;

#[injectable]
pub struct Cleanup;

#[module(commands(Cleanup))]
pub struct MaintenanceModule;

fn main() {}
