//! The demo county: a county-level city modelled on the source text, loaded once
//! by `serve --demo`.

pub mod data;
mod load;
mod names;

pub use load::{DemoLogin, load_demo};
