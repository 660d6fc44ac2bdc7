//! Messages meant for people, as catalogue keys with arguments. The web layer
//! turns them into text in the reader's language; nothing here knows the language.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Msg {
        Msg { key, args: Vec::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.key)?;
        for (name, value) in &self.args {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

/// What is wrong with one input field. `field` is the form or column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, msg: Msg) -> FieldError {
        FieldError { field: field.into(), msg }
    }
}
