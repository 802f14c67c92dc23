//! Logging in: the least length of a password, and how many failed password checks lock
//! an account or a client address, within what window and for how long (the store counts
//! them, atomically and across servers).

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Failed logins allowed for one account within [`THROTTLE_WINDOW_MINUTES`].
pub const MAX_FAILURES: i64 = 5;
/// The window failures are counted in.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failed password checks allowed from one client address within the window, over any
/// accounts (password spraying).
pub const MAX_ADDRESS_FAILURES: i64 = 20;
/// How long an account or address stays locked once over its limit.
pub const LOCK_MINUTES: i64 = 15;
