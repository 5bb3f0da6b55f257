import SwiftUI

/// First launch: the lead joins their antenna with the relay's address and an invite code.
struct JoinView: View {
    @ObservedObject var model: LeadModel
    @State private var relay = "https://"
    @State private var code = ""
    @State private var name = ""
    @State private var joining = false

    var body: some View {
        Form {
            Section("Relay") {
                TextField("https://relay.example.org", text: $relay)
                    .textContentType(.URL)
                    .autocorrectionDisabled()
            }
            Section("You") {
                TextField("Your name, as the team will see it", text: $name)
                TextField("Invite code", text: $code)
                    .autocorrectionDisabled()
            }
            if let error = model.error {
                Text(error).foregroundStyle(.red)
            }
            Button(joining ? "Joining…" : "Join") {
                joining = true
                Task {
                    await model.join(relayUrl: relay, inviteCode: code, name: name)
                    joining = false
                }
            }
            .disabled(joining || code.isEmpty || name.isEmpty)
        }
        .navigationTitle("Join your antenna")
    }
}
