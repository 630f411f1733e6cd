//! Random key storms and random window sizes over SSH, against every pane,
//! as a coordinator and as a juror: arbitrary bytes, escape sequences,
//! Cyrillic, pastes and resizes from 1×1 to 300×100. The server must not
//! fall over: afterwards the session still answers, a new one signs in,
//! and the server's log has no internal error.

mod common;

use common::{PATIENCE, World};
use russh::ChannelMsg;
use russh::keys::PrivateKeyWithHashAlg;
use std::sync::Arc;
use std::time::Duration;

struct Client;

impl russh::client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// A burst of input: one of the things a terminal sends, or garbage.
fn burst(r: &mut Rng) -> Vec<u8> {
    const SEQUENCES: &[&[u8]] = &[
        b"\x1b[A",
        b"\x1b[B",
        b"\x1b[C",
        b"\x1b[D",
        b"\x1b[5~",
        b"\x1b[6~",
        b"\x1b[H",
        b"\x1b[F",
        b"\x1b[1;5A",
        b"\x1b[Z",
        b"\x1bOP",
        b"\x1b[15~",
        b"\x1b[3~",
        b"\r",
        b"\t",
        b"\x7f",
        b"\x1b",
        b"\x1b[200~",
        b"\x1b[201~",
        b"\x1b[<0;10;5M",
        b"\x1b[I",
        b"\x1b[O",
        b"\x1b[999;999R",
        b"\x1b[",
        b"\x1bO",
        "и".as_bytes(),
        "Ё".as_bytes(),
        "Иванов".as_bytes(),
        b"/",
        b"?",
        b":",
        b" ",
        b"S",
        b"y",
        b"c",
        b"u",
        b"H",
        b"!",
        b"a",
        b"A",
        b"k",
        b"o",
        b"v",
        b"T",
        b"F",
        b"M",
        b"m",
        b"r",
        b"l",
        b"f",
        b"p",
        b"C",
        b"R",
        b"t",
        b"[",
        b"]",
        b"+",
        b"-",
        b".",
        b"7",
        b"5",
        b"\x1b1",
        b"\x1b2",
        b"\x1b3",
        b"\x1b4",
        b"\x1b5",
        b"\x1b6",
    ];
    match r.next() % 8 {
        0 => {
            // Garbage, but never Ctrl-C or q: quitting ends a storm early
            // without telling anything about robustness.
            (0..(r.next() % 12))
                .map(|_| (r.next() & 0xff) as u8)
                .filter(|b| *b != 0x03 && *b != b'q' && *b != b'Q')
                .collect()
        }
        _ => r.pick(SEQUENCES).to_vec(),
    }
}

async fn connect(
    port: u16,
    key: &std::path::Path,
    user: &str,
) -> (
    russh::client::Handle<Client>,
    russh::Channel<russh::client::Msg>,
) {
    let config = Arc::new(russh::client::Config::default());
    let mut handle = russh::client::connect(config, ("127.0.0.1", port), Client)
        .await
        .expect("connect");
    let key = russh::keys::load_secret_key(key, None).expect("the key loads");
    let auth = handle
        .authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), None))
        .await
        .expect("auth");
    assert!(auth.success(), "{user}'s key is accepted");
    let channel = handle.channel_open_session().await.expect("channel");
    channel
        .request_pty(true, "xterm-256color", 80, 24, 0, 0, &[])
        .await
        .expect("pty");
    channel.request_shell(true).await.expect("shell");
    (handle, channel)
}

/// Reads what the server sends until `needle` shows up in it (bounded).
async fn expect(channel: &mut russh::Channel<russh::client::Msg>, needle: &str) -> bool {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, channel.wait()).await {
            Err(_) | Ok(None) => return false,
            Ok(Some(ChannelMsg::Data { data })) => {
                seen.extend_from_slice(&data);
                if String::from_utf8_lossy(&seen).contains(needle) {
                    return true;
                }
            }
            Ok(Some(_)) => {}
        }
    }
}

/// Drains whatever has arrived, without waiting.
async fn drain(channel: &mut russh::Channel<russh::client::Msg>) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_millis(1), channel.wait()).await {
            Err(_) => return true,
            Ok(None) => return false,
            Ok(Some(_)) => {}
        }
    }
}

#[test]
fn key_storms_and_resizes_over_ssh_never_bring_the_server_down() {
    let world = World::new();
    let server = world.serve(&["--idle-timeout", "0"]);
    let port = server.port;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for (who, seed) in [("C01", 0x5eed_0001u64), ("J01", 0x5eed_0002)] {
            let (_handle, mut channel) = connect(port, &world.key(who), who).await;
            assert!(
                expect(&mut channel, "1 Review").await,
                "{who} sees the workstation"
            );
            let mut r = Rng(seed);
            for pane in 1..=6u8 {
                // Alt+digit goes to a pane from anywhere.
                channel.data(&[0x1b, b'0' + pane][..]).await.unwrap();
                for i in 0..400 {
                    channel.data(&burst(&mut r)[..]).await.unwrap();
                    if i % 40 == 0 {
                        let w = 1 + (r.next() % 300) as u32;
                        let h = 1 + (r.next() % 100) as u32;
                        channel.window_change(w, h, 0, 0).await.unwrap();
                    }
                    if i % 25 == 0 {
                        assert!(
                            drain(&mut channel).await,
                            "{who}'s session closed during the storm"
                        );
                    }
                }
                // End any paste the storm began, and close overlays.
                channel.data(&b"\x1b[201~"[..]).await.unwrap();
            }
            // The session still answers: back to a normal size, help opens.
            channel.window_change(120, 40, 0, 0).await.unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            channel.data(&b"\x1b"[..]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(120)).await;
            channel.data(&b"\x1b"[..]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(120)).await;
            channel.data(&b"\x1b1"[..]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(120)).await;
            channel.data(&b"?"[..]).await.unwrap();
            assert!(
                expect(&mut channel, "Everywhere").await,
                "{who}'s session answers after the storm"
            );
        }
        // A new session signs in as usual.
        let (_h, mut channel) = connect(port, &world.key("O01"), "O01").await;
        assert!(
            expect(&mut channel, "1 Review").await,
            "the server still serves new sessions"
        );
    });
    let log = std::fs::read_to_string(world.db.path().join("konkurs.log")).unwrap_or_default();
    assert!(
        !log.contains("internal error") && !log.contains("panicked"),
        "the server logged an internal error:\n{log}"
    );
    assert!(
        log.contains("session of C01"),
        "the log is where the test expects it:\n{log}"
    );
    drop(server);
}
