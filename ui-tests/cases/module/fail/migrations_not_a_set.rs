// `migrations = ..` takes a set of migrations (`elif::migrations!(..)`).
use elif::prelude::*;

const NOT_A_SET: &str = "migrations";

#[module(migrations = NOT_A_SET)]
pub struct PackageModule;

fn main() {}
