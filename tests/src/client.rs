//! A minimal automerge-repo websocket client: join, then sync documents with automerge's
//! sync protocol. Enough to test and load a relay; the device's real sync engine lives in
//! `jiran-core`.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;
use futures_util::{SinkExt, StreamExt};
use jiran_core::sync::protocol::{Message, PeerMetadata};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

/// A websocket to a relay.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How a sync ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Both sides have the same heads.
    Synced,
    /// The relay said the document is unavailable.
    Unavailable,
    /// Nothing more came within the idle time.
    Idle,
    /// The relay closed the connection.
    Closed(u16, String),
}

/// Opens a websocket with an optional bearer token; `Err(status)` if the upgrade is refused.
pub async fn open(url: &str, token: Option<&str>) -> Result<Ws, u16> {
    let mut request = url.into_client_request().expect("a websocket url");
    if let Some(token) = token {
        request.headers_mut().insert(
            "Authorization",
            format!("Bearer {token}").parse().expect("a header value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("connect: {e}"),
    }
}

/// A peer connected to a relay.
#[allow(missing_debug_implementations)] // the websocket stream has no Debug
pub struct Peer {
    /// The websocket.
    pub ws: Ws,
    /// Our peer id.
    pub id: String,
    /// The relay's peer id.
    pub relay: String,
    /// Bytes received so far (protocol messages only).
    pub bytes_in: u64,
}

impl Peer {
    /// Opens a websocket and joins; panics if the relay refuses.
    pub async fn connect(url: &str, token: Option<&str>) -> Peer {
        let ws = open(url, token).await.expect("upgrade accepted");
        Peer::join(ws).await
    }

    /// Joins over an open websocket.
    pub async fn join(ws: Ws) -> Peer {
        let mut peer = Peer {
            ws,
            id: format!("peer-{}", jiran_core::DocumentId::random()),
            relay: String::new(),
            bytes_in: 0,
        };
        let join = Message::Join {
            sender_id: peer.id.clone(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: vec!["1".into()],
        };
        peer.send(&join).await;
        match peer.next(Duration::from_secs(10)).await {
            Some(Ok(Message::Peer { sender_id, .. })) => peer.relay = sender_id,
            other => panic!("expected `peer`, got {other:?}"),
        }
        peer
    }

    /// A peer over a websocket on which `join` was not sent.
    pub fn unjoined(ws: Ws) -> Peer {
        Peer {
            ws,
            id: "unjoined".into(),
            relay: String::new(),
            bytes_in: 0,
        }
    }

    /// Sends a protocol message.
    pub async fn send(&mut self, message: &Message) {
        self.send_raw(message.encode()).await;
    }

    /// Sends raw bytes as one binary frame.
    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        let _ = self
            .ws
            .send(tungstenite::Message::Binary(bytes.into()))
            .await;
    }

    /// The next protocol message, or `Err((code, reason))` when the relay closed; `None` if
    /// nothing came within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Result<Message, (u16, String)>> {
        loop {
            let frame = tokio::time::timeout(wait, self.ws.next()).await.ok()??;
            match frame {
                Ok(tungstenite::Message::Binary(b)) => {
                    self.bytes_in += b.len() as u64;
                    return Some(Ok(
                        Message::decode(&b).expect("the relay sends valid messages")
                    ));
                }
                Ok(tungstenite::Message::Close(Some(f))) => {
                    return Some(Err((f.code.into(), f.reason.to_string())))
                }
                Ok(tungstenite::Message::Close(None)) | Err(_) => {
                    return Some(Err((1006, String::new())))
                }
                Ok(_) => continue,
            }
        }
    }

    /// A sync message for `doc_id` from us to the relay.
    pub fn sync_message(&self, doc_id: &str, data: Vec<u8>, request: bool) -> Message {
        Message::for_document(
            self.id.clone(),
            self.relay.clone(),
            doc_id.to_owned(),
            data,
            !request,
        )
    }

    /// Syncs `doc` with the relay until both agree, it is unavailable, nothing more comes
    /// within `idle`, or the relay closes.
    pub async fn sync_within(
        &mut self,
        doc_id: &str,
        doc: &mut Automerge,
        idle: Duration,
    ) -> Outcome {
        let mut state = sync::State::new();
        let first = doc
            .generate_sync_message(&mut state)
            .expect("a first message")
            .encode();
        let message = self.sync_message(doc_id, first, doc.get_heads().is_empty());
        self.send(&message).await;
        // Bounded: a relay that keeps answering without converging must not hang a test.
        for _ in 0..1000 {
            match self.next(idle).await {
                None => return Outcome::Idle,
                Some(Err((code, reason))) => return Outcome::Closed(code, reason),
                Some(Ok(Message::DocUnavailable { document_id, .. })) if document_id == doc_id => {
                    return Outcome::Unavailable
                }
                Some(Ok(Message::Sync {
                    data, document_id, ..
                })) if document_id == doc_id => {
                    let Ok(decoded) = sync::Message::decode(&data) else {
                        return Outcome::Idle;
                    };
                    doc.receive_sync_message(&mut state, decoded)
                        .expect("relay changes apply");
                    let agreed = state.their_heads.as_deref() == Some(&doc.get_heads()[..]);
                    if let Some(reply) = doc.generate_sync_message(&mut state) {
                        let message = self.sync_message(doc_id, reply.encode(), false);
                        self.send(&message).await;
                    }
                    if agreed && !doc.get_heads().is_empty() {
                        return Outcome::Synced;
                    }
                }
                Some(Ok(_)) => {}
            }
        }
        Outcome::Idle
    }

    /// [`Peer::sync_within`] with a 1.5 s idle time.
    pub async fn sync(&mut self, doc_id: &str, doc: &mut Automerge) -> Outcome {
        self.sync_within(doc_id, doc, Duration::from_millis(1500))
            .await
    }
}
