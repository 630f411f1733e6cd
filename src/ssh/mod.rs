//! The SSH server lives here: `konkurs serve` embeds a russh server that
//! authenticates jurors by public key and bridges every session's terminal
//! to its own App. This module holds the pieces of that bridge.

pub mod input;
