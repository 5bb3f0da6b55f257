import JiranCore
import SwiftUI

/// The sync line: offline is calm (the lead reviews offline on purpose), problems stand out.
struct SyncStatusView: View {
    let status: SyncStatus?

    var body: some View {
        Label(status?.message ?? "Starting…", systemImage: symbol)
            .foregroundStyle(needsAction ? .red : .secondary)
            .font(.footnote)
    }

    private var symbol: String {
        switch status?.state {
        case .upToDate: return "checkmark.icloud"
        case .connecting, .syncing: return "arrow.triangle.2.circlepath.icloud"
        case .needsAction: return "exclamationmark.icloud"
        case .offline, .none: return "icloud.slash"
        }
    }

    private var needsAction: Bool {
        if case .needsAction = status?.state { return true }
        return false
    }
}
