//! A fault-injecting TCP proxy between devices and a relay: latency, dropped and duplicated
//! chunks, connections cut mid-frame, stalls and partitions. Faults are drawn from a seeded
//! random generator, so a failing run names the seed that reproduces its faults (timing on
//! a busy machine still varies).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What the proxy does to the bytes it forwards. The default forwards faithfully.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Added to every chunk in each direction (a round trip pays it twice).
    pub latency: Duration,
    /// Chance that bytes of a chunk are lost: the stream is then corrupt, and the endpoints
    /// must notice and reconnect. Never a whole chunk: a chunk is often exactly one websocket
    /// frame, and losing a whole frame from an intact stream is a fault TCP cannot have
    /// (it would test recovery from a network that does not exist).
    pub drop: f64,
    /// Chance that a chunk is sent twice.
    pub duplicate: f64,
    /// Chance that forwarding stops for `stall_for` before a chunk (the connection stays
    /// open, silent).
    pub stall: f64,
    /// How long a stall lasts.
    pub stall_for: Duration,
    /// Each connection is cut after a random number of bytes in this range (inclusive
    /// bounds), possibly in the middle of a websocket frame. `None`: never.
    pub cut_after: Option<(u64, u64)>,
}

struct Control {
    faults: Mutex<Faults>,
    seed: u64,
    connections: AtomicU64,
    /// Bytes forwarded from devices to the relay, and back.
    bytes_up: Arc<AtomicU64>,
    bytes_down: Arc<AtomicU64>,
    /// Bumped to cut every open connection; `partitioned` refuses new ones.
    cut: watch::Sender<(u64, bool)>,
}

/// A running proxy; stops when dropped.
#[allow(missing_debug_implementations)]
pub struct Proxy {
    /// Where devices connect.
    pub addr: SocketAddr,
    control: Arc<Control>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.partition(true);
    }
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` with `faults`.
    pub async fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        let (cut, _) = watch::channel((0, false));
        let control = Arc::new(Control {
            faults: Mutex::new(faults),
            seed,
            connections: AtomicU64::new(0),
            bytes_up: Arc::new(AtomicU64::new(0)),
            bytes_down: Arc::new(AtomicU64::new(0)),
            cut,
        });
        let task = tokio::spawn(accept(listener, upstream, control.clone()));
        Proxy {
            addr,
            control,
            task,
        }
    }

    /// The URL devices use instead of the relay's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the faults for chunks from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self
            .control
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// Cuts every connection and refuses new ones (`true`), or heals (`false`).
    pub fn partition(&self, on: bool) {
        self.control.cut.send_modify(|(generation, partitioned)| {
            *generation += 1;
            *partitioned = on;
        });
    }

    /// Cuts every open connection once (they may reconnect).
    pub fn cut_all(&self) {
        self.control
            .cut
            .send_modify(|(generation, _)| *generation += 1);
    }

    /// Bytes forwarded so far: (devices → relay, relay → devices), websocket framing and
    /// HTTP upgrade included.
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.control.bytes_up.load(Ordering::Relaxed),
            self.control.bytes_down.load(Ordering::Relaxed),
        )
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.control.connections.load(Ordering::Relaxed)
    }
}

async fn accept(listener: TcpListener, upstream: SocketAddr, control: Arc<Control>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let mut cut = control.cut.subscribe();
        if cut.borrow_and_update().1 {
            drop(client); // partitioned: the device sees the connection fail
            continue;
        }
        let n = control.connections.fetch_add(1, Ordering::Relaxed);
        let rng = StdRng::seed_from_u64(control.seed.wrapping_mul(1_000_003).wrapping_add(n));
        let control = control.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            connection(client, server, control, rng, cut).await;
        });
    }
}

async fn connection(
    client: TcpStream,
    server: TcpStream,
    control: Arc<Control>,
    mut rng: StdRng,
    mut cut: watch::Receiver<(u64, bool)>,
) {
    let faults = control
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let budget = faults
        .cut_after
        .map(|(low, high)| rng.random_range(low..=high.max(low)))
        .unwrap_or(u64::MAX);
    let budget = Arc::new(AtomicU64::new(budget));
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up_rng = StdRng::seed_from_u64(rng.random());
    let down_rng = StdRng::seed_from_u64(rng.random());
    let (up, down) = (control.bytes_up.clone(), control.bytes_down.clone());
    tokio::select! {
        _ = pump(client_read, server_write, control.clone(), up_rng, budget.clone(), up) => {}
        _ = pump(server_read, client_write, control.clone(), down_rng, budget, down) => {}
        _ = cut.changed() => {}
    }
    // Dropping both halves closes both sockets.
}

/// Forwards one direction, applying faults; returns when either side closes or the
/// connection's byte budget runs out.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    control: Arc<Control>,
    mut rng: StdRng,
    budget: Arc<AtomicU64>,
    forwarded: Arc<AtomicU64>,
) {
    // Delivery runs apart from reading so latency delays chunks without limiting throughput.
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
    };
    let reader = async move {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let faults = control
                .faults
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if rng.random_bool(faults.stall.clamp(0.0, 1.0)) {
                tokio::time::sleep(faults.stall_for).await;
            }
            let left = budget.load(Ordering::Relaxed);
            let take = (n as u64).min(left) as usize;
            budget.fetch_sub(take as u64, Ordering::Relaxed);
            let at = Instant::now() + faults.latency;
            let mut chunk = buffer[..take].to_vec();
            if !chunk.is_empty() && rng.random_bool(faults.drop.clamp(0.0, 1.0)) {
                // Lose the first bytes: the rest, and every frame after, is read from the
                // wrong offset. (A one-byte chunk is part of a frame, never a whole one.)
                let lost = rng.random_range(1..=chunk.len().saturating_sub(1).max(1));
                chunk.drain(..lost);
            }
            forwarded.fetch_add(take as u64, Ordering::Relaxed);
            let copies = if rng.random_bool(faults.duplicate.clamp(0.0, 1.0)) {
                2
            } else {
                1
            };
            for _ in 0..copies {
                if tx.send((at, chunk.clone())).is_err() {
                    return;
                }
            }
            if take < n {
                // Out of budget: cut, possibly mid-frame, once the last bytes are delivered.
                tokio::time::sleep_until(at + Duration::from_millis(10)).await;
                return;
            }
        }
    };
    tokio::select! {
        _ = writer => {}
        _ = reader => {}
    }
}
