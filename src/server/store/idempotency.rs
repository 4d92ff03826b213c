//! `Idempotency-Key` of the write routes (declarations keep theirs on the declaration): the
//! first answer is stored in the transaction of the write, so a retry replays it and never
//! writes twice; the same key with another body or route is a conflict.

/// An idempotent request: its key, the route it was sent to and the hash of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// The `Idempotency-Key` header.
    pub key: String,
    /// Method and path, such as `POST /v1/workers`.
    pub route: String,
    /// SHA-256 hex of the body as received.
    pub body_hash: String,
}

/// What became of an idempotent write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotent<T> {
    /// The request was new: its outcome.
    New(T),
    /// The same key, route and body were already answered: that answer.
    Replay {
        /// Its HTTP status.
        status: u16,
        /// Its JSON body.
        body: String,
    },
    /// The key was already used with another body or route.
    KeyConflict,
}
