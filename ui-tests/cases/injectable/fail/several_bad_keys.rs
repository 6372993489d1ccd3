use elif::prelude::*;

// Every bad key of one attribute is reported in the same build.
#[injectable(scpoe = "request", provide = dyn std::fmt::Debug, on_int)]
pub struct Cart {}

fn main() {}
