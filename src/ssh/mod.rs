//! The SSH server: `konkurs serve` embeds a russh server that identifies
//! jurors, coordinators and observers by their registered public keys and
//! runs one workstation App per connection over the shared service.
//!
//! * [`server`]: listening, signing in, sessions, limits and shutdown;
//! * [`command`]: commands sent over SSH, with the channel's streams;
//! * [`session`]: one App on its own thread, fed by the connection;
//! * [`input`]: the client's raw terminal bytes turned into key events;
//! * [`remote`]: a ratatui backend that draws into the SSH channel;
//! * [`guard`]: the event log and the limit on failed sign-ins;
//! * [`hostkey`]: the server's own key, made once and kept;
//! * [`sftp`]: the read-only SFTP subsystem that serves the exported
//!   documents to coordinators and observers (`scp`, `sftp`, WinSCP).

pub mod command;
pub mod guard;
pub mod hostkey;
pub mod input;
pub mod remote;
pub mod server;
pub mod session;
pub mod sftp;

pub use command::{Exec, ExecRequest};
pub use server::{Ready, ServeError, ServeOptions, serve, serve_until};
