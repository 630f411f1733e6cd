//! The people who sign in: jurors (experts), coordinators and observers, and
//! the SSH public keys that identify them.

use super::code::codes;
use super::ids::JurorId;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

codes! {
    /// What a person may do.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        /// The contest secretary: imports, assigns, ranks, closes stages, exports.
        Coordinator => "coordinator",
        /// An expert who scores the participants assigned to them.
        Juror => "juror",
        /// Reads rankings and progress, changes nothing.
        Observer => "observer",
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A person of the jury (in the wide sense: coordinators and observers too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Juror {
    pub id: JurorId,
    pub full_name: String,
    pub role: Role,
    pub email: String,
    /// Where the juror lives or works; the regulation may forbid judging
    /// participants of the same municipality.
    pub municipality: String,
    /// The juror's own TOS, if any; judging one's own TOS is a conflict.
    pub tos_name: String,
    pub keys: Vec<SshKey>,
}

/// An SSH public key as it appears in an `authorized_keys` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKey {
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...
    pub algorithm: String,
    /// The key blob, base64 as in the file.
    pub blob: String,
    pub comment: String,
}

/// Why an `authorized_keys` line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the line is empty: paste a line such as 'ssh-ed25519 AAAAC3Nz... name@host'")]
    Empty,
    #[error("no key type found: expected one of {}", SshKey::ALGORITHMS.join(", "))]
    NoAlgorithm,
    #[error("the key after '{0}' is missing")]
    NoBlob(String),
    #[error("the key is not valid base64")]
    BadBase64,
    #[error("the key says it is '{inner}' but the line says '{outer}'")]
    Mismatch { outer: String, inner: String },
    #[error("this looks like a private key: paste the public key (the .pub file)")]
    PrivateKey,
    /// `from=`, `command=` and the like before the key: konkurs does not
    /// apply them, so it does not take them silently either.
    #[error(
        "the line begins with options ({0}), which konkurs does not apply: register the key without them"
    )]
    Options(String),
}

impl SshKey {
    pub const ALGORITHMS: [&'static str; 8] = [
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-dss",
    ];

    /// Parses one line of an `authorized_keys` file. Options before the key
    /// type (`from="..."`, `no-pty`) are skipped.
    pub fn parse_authorized(line: &str) -> Result<SshKey, KeyError> {
        let line = line.trim();
        if line.is_empty() {
            return Err(KeyError::Empty);
        }
        if line.starts_with("-----BEGIN") {
            return Err(KeyError::PrivateKey);
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words
            .iter()
            .position(|w| Self::ALGORITHMS.contains(w))
            .ok_or(KeyError::NoAlgorithm)?;
        if at > 0 {
            return Err(KeyError::Options(words[..at].join(" ")));
        }
        let algorithm = words[at].to_string();
        let blob = words
            .get(at + 1)
            .ok_or_else(|| KeyError::NoBlob(algorithm.clone()))?
            .to_string();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&blob)
            .map_err(|_| KeyError::BadBase64)?;
        let inner = read_ssh_string(&bytes, 0)
            .map(|(s, _)| String::from_utf8_lossy(s).into_owned())
            .ok_or(KeyError::BadBase64)?;
        if inner != algorithm {
            return Err(KeyError::Mismatch {
                outer: algorithm,
                inner,
            });
        }
        let comment = words[at + 2..].join(" ");
        Ok(SshKey {
            algorithm,
            blob,
            comment,
        })
    }

    /// The raw key blob.
    pub fn bytes(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.blob)
            .unwrap_or_default()
    }

    /// `SHA256:...` exactly as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.bytes());
        format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
        )
    }

    /// The key size in bits, as `ssh-keygen -l` reports it.
    pub fn bits(&self) -> u32 {
        match self.algorithm.as_str() {
            "ssh-ed25519" | "sk-ssh-ed25519@openssh.com" => 256,
            "ecdsa-sha2-nistp256" | "sk-ecdsa-sha2-nistp256@openssh.com" => 256,
            "ecdsa-sha2-nistp384" => 384,
            "ecdsa-sha2-nistp521" => 521,
            "ssh-rsa" | "ssh-dss" => {
                // ssh-rsa: string type, mpint e, mpint n. ssh-dss: type, p, ...
                let bytes = self.bytes();
                let mut at = 0;
                let Some((_, next)) = read_ssh_string(&bytes, at) else {
                    return 0;
                };
                at = next;
                let field = if self.algorithm == "ssh-rsa" {
                    read_ssh_string(&bytes, at).and_then(|(_, n)| read_ssh_string(&bytes, n))
                } else {
                    read_ssh_string(&bytes, at)
                };
                field.map(|(m, _)| mpint_bits(m)).unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// The short type name `ssh-keygen -l` prints in parentheses.
    pub fn kind(&self) -> &'static str {
        match self.algorithm.as_str() {
            "ssh-ed25519" => "ED25519",
            "sk-ssh-ed25519@openssh.com" => "ED25519-SK",
            "ssh-rsa" => "RSA",
            "ssh-dss" => "DSA",
            "sk-ecdsa-sha2-nistp256@openssh.com" => "ECDSA-SK",
            _ => "ECDSA",
        }
    }

    /// `256 SHA256:... comment (ED25519)`, the line `ssh-keygen -l` prints.
    pub fn describe(&self) -> String {
        let comment = if self.comment.is_empty() {
            "no comment"
        } else {
            &self.comment
        };
        format!(
            "{} {} {} ({})",
            self.bits(),
            self.fingerprint(),
            comment,
            self.kind()
        )
    }

    /// The `authorized_keys` line.
    pub fn to_line(&self) -> String {
        if self.comment.is_empty() {
            format!("{} {}", self.algorithm, self.blob)
        } else {
            format!("{} {} {}", self.algorithm, self.blob, self.comment)
        }
    }

    /// Whether two keys are the same key (comments aside).
    pub fn same_key(&self, other: &SshKey) -> bool {
        self.algorithm == other.algorithm && self.blob == other.blob
    }
}

fn read_ssh_string(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
    let start = at + 4;
    let s = bytes.get(start..start.checked_add(len)?)?;
    Some((s, start + len))
}

fn mpint_bits(m: &[u8]) -> u32 {
    let m = match m.iter().position(|b| *b != 0) {
        Some(i) => &m[i..],
        None => return 0,
    };
    (m.len() as u32 - 1) * 8 + (8 - m[0].leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Keys made with `ssh-keygen`; the expected lines are what
    // `ssh-keygen -l -f` printed for them.
    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBMXQOi7B9ucD7hm08REueGTTIdCnpf5E60hj4HQw7Vw juror@example";
    const RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDfIUqN9vkYfdCnCkKl1V7hU7ZBxiqCro6Dj+GEsMRGyiX9xrz6hfipX8ov6VPpdsAQU+VP41/zLL2PWTGM1ciOJnTqD0KkXxpnY1OaLmfObUJBU+9ldi0WSSRzE0hxKJcyP+9zeXNzelhR0tdjpjdKz3BMkgb/aK4T3ITfxcehGSM42WOJ4scV48zpxSb3wSkdsBEkhQoAQ2RX4oIf4dmIvy6NhAWqws/awzqHXQzGWK+ROtSh0a+nqg+KV8uScjTvw+AVPPpxcao7aWuCbo7WkUsw8cq95iPCP2nMSvbWbL8WlVcedRpmV5olr2YElssTnM4iWwQZ2Fz7F2zquTIpJotcScHqZjGV9D+VPa95cLA36MG/UjiDwt3qWGyxEMNtEkTxZrRzXmtJu27vhvwZ8Hl+0Ddqthw9zZhC5ZQ4AlwfnrIRM78GoaU9+CL4Dki9yCafq8xhq898ly+91ORZotnb3eViRa3isfIRhitYSfaZ0MGtRh7yVs0RHW1BDS8= rsa@example";

    #[test]
    fn describes_keys_as_ssh_keygen_does() {
        let ed = SshKey::parse_authorized(ED).unwrap();
        assert_eq!(
            ed.describe(),
            "256 SHA256:idM9aM8TxwqeMKVJFOotfQ50l1DPUP+2J4wtdT4iUgU juror@example (ED25519)"
        );
        let rsa = SshKey::parse_authorized(RSA).unwrap();
        assert_eq!(
            rsa.describe(),
            "3072 SHA256:mJt+RYmqqmrA3m6apIak0cR3m0ba2fnC6phWt1feeKI rsa@example (RSA)"
        );
        assert_eq!(SshKey::parse_authorized(&rsa.to_line()).unwrap(), rsa);
    }

    #[test]
    fn refuses_an_authorized_keys_line_with_options_it_would_not_apply() {
        assert_eq!(
            SshKey::parse_authorized(&format!("no-pty,from=\"10.0.0.1\" {ED}")),
            Err(KeyError::Options("no-pty,from=\"10.0.0.1\"".into()))
        );
        let key = SshKey::parse_authorized(ED).unwrap();
        assert_eq!(key.algorithm, "ssh-ed25519");
        assert_eq!(key.comment, "juror@example");
        assert_eq!(key.bits(), 256);
        assert_eq!(key.kind(), "ED25519");
        assert!(key.fingerprint().starts_with("SHA256:"));
        assert_eq!(key.fingerprint().len(), "SHA256:".len() + 43);
    }

    #[test]
    fn refuses_what_is_not_a_public_key() {
        assert_eq!(SshKey::parse_authorized("  "), Err(KeyError::Empty));
        assert_eq!(
            SshKey::parse_authorized("-----BEGIN OPENSSH PRIVATE KEY-----"),
            Err(KeyError::PrivateKey)
        );
        assert_eq!(
            SshKey::parse_authorized("hello world"),
            Err(KeyError::NoAlgorithm)
        );
        assert_eq!(
            SshKey::parse_authorized("ssh-ed25519 !!!"),
            Err(KeyError::BadBase64)
        );
        let mismatch = ED.replacen("ssh-ed25519", "ssh-rsa", 1);
        assert!(matches!(
            SshKey::parse_authorized(&mismatch),
            Err(KeyError::Mismatch { .. })
        ));
    }
}
