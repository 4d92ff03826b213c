//! The Passeport HTTP API: the contract shared by server and client, and the typed async client.

pub mod client;
pub mod contract;
pub mod error;

pub use client::Client;
pub use error::ApiError;
