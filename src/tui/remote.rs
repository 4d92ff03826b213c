//! Data that comes from the API: not asked yet, loading, loaded, or failed — keeping the last good
//! data on screen while reloading or after an error.

use super::action::RequestId;

/// A value fetched from the API, with latest-wins request tracking.
#[derive(Debug, Clone, PartialEq)]
pub struct Remote<T> {
    data: Option<T>,
    pending: Option<RequestId>,
    error: Option<String>,
    version: u64,
}

impl<T> Default for Remote<T> {
    fn default() -> Self {
        Self {
            data: None,
            pending: None,
            error: None,
            version: 0,
        }
    }
}

impl<T> Remote<T> {
    /// A value already at hand (handed over by another screen), not loading.
    pub fn ready(data: T) -> Self {
        Self {
            data: Some(data),
            pending: None,
            error: None,
            version: 1,
        }
    }

    /// Marks a new request as the one whose answer counts; older answers will be dropped.
    pub fn start(&mut self, id: RequestId) {
        self.pending = Some(id);
    }

    /// True when `id` is the request this value waits for.
    pub fn expects(&self, id: RequestId) -> bool {
        self.pending == Some(id)
    }

    /// Takes the answer of request `id`; returns false (and changes nothing) when it is stale.
    pub fn finish<E: std::fmt::Display>(&mut self, id: RequestId, result: Result<T, E>) -> bool {
        if !self.expects(id) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.error = None;
                self.version += 1;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        true
    }

    /// The last good data, if any.
    pub fn data(&self) -> Option<&T> {
        self.data.as_ref()
    }

    /// Mutable access to the last good data.
    pub fn data_mut(&mut self) -> Option<&mut T> {
        self.version += 1;
        self.data.as_mut()
    }

    /// A number that changes whenever the data may have changed (a new answer, a mutable
    /// access): what is derived from the data is kept while it stays the same.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// True while a request is in flight.
    pub fn is_loading(&self) -> bool {
        self.pending.is_some()
    }

    /// The error of the last request, if it failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// True before any request was made.
    pub fn is_idle(&self) -> bool {
        self.data.is_none() && self.pending.is_none() && self.error.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_answers_are_dropped_and_data_kept_on_error() {
        let mut r: Remote<u32> = Remote::default();
        assert!(r.is_idle());
        r.start(1);
        r.start(2);
        assert!(
            !r.finish::<String>(1, Ok(10)),
            "answer of a superseded request"
        );
        assert_eq!(r.data(), None);
        assert!(r.finish::<String>(2, Ok(20)));
        assert_eq!(r.data(), Some(&20));
        let version = r.version();
        r.start(3);
        assert!(r.finish(3, Err("serveur injoignable")));
        assert_eq!(r.data(), Some(&20));
        assert_eq!(r.error(), Some("serveur injoignable"));
        assert!(!r.is_loading());
        assert_eq!(r.version(), version, "a failed answer keeps the data");
        r.start(4);
        assert!(r.finish::<String>(4, Ok(20)));
        assert_ne!(r.version(), version, "a new answer may hold other data");
    }
}
