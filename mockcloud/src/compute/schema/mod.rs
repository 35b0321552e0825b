//! Request validation: Nova's schemas and a validator with Nova's messages.

pub mod schemas;
pub mod validator;
