//! The demo county: a county-level city modelled on the source text, loaded once
//! by `serve --demo`.

mod cases;
pub mod data;
mod load;
mod names;

pub use cases::load_demo_cases;
pub use load::{DemoLogin, load_demo};
