//! Request validation: Nova's schemas and a validator with Nova's messages.

pub(crate) mod schemas;
pub(crate) mod validator;
