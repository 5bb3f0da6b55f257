import Foundation
import JiranCore

/// What the lead's screens show, kept current from the store's callbacks. All figures come
/// from the Rust core; this model only holds them for SwiftUI.
@MainActor
final class LeadModel: ObservableObject {
    @Published private(set) var antenna: AntennaId?
    @Published private(set) var antennaName: String = ""
    @Published private(set) var overview: AntennaOverview?
    @Published private(set) var households: [HouseholdListItem] = []
    @Published private(set) var sync: SyncStatus?
    @Published var error: String?
    /// Set when the store itself could not be opened.
    let failure: String?

    private let store: JiranStore?
    private var subscription: Subscription?

    init(store: JiranStore?, failure: String?) {
        self.store = store
        self.failure = failure
        guard let store else { return }
        subscription = store.observe(observer: ObserverBridge(model: self))
        antenna = (try? store.antennas())?.first?.id
        reload()
    }

    /// The store in Application Support (excluded from backups: household data stays on the device).
    static func openDefault() -> LeadModel {
        do {
            var directory = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                                        appropriateFor: nil, create: true)
                .appendingPathComponent("jiran", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var values = URLResourceValues()
            values.isExcludedFromBackup = true
            try directory.setResourceValues(values)
            return LeadModel(store: try JiranStore.open(directory: directory.path), failure: nil)
        } catch {
            return LeadModel(store: nil, failure: error.localizedDescription)
        }
    }

    /// Joins the antenna with the invite from `jiran-relay antenna create` (or another lead).
    func join(relayUrl: String, inviteCode: String, name: String) async {
        guard let store else { return }
        do {
            antenna = try await store.join(relayUrl: relayUrl, inviteCode: inviteCode,
                                           deviceName: ProcessInfo.processInfo.hostName,
                                           displayName: name)
            error = nil
            reload()
        } catch {
            self.error = error.localizedDescription
        }
    }

    /// Everything on screen, again (after a change on disk). The antenna's name is read only
    /// when its document changed: reading it hydrates the whole antenna document.
    func reload(antennaChanged: Bool = true) {
        guard let store, let antenna else { return }
        do {
            if antennaChanged || antennaName.isEmpty {
                antennaName = try store.antennas().first { $0.id == antenna }?.name ?? ""
            }
            overview = try store.overview(antenna: antenna)
            households = try store.households(antenna: antenna, filter: HouseholdFilter(
                state: .active, minPriority: nil, need: nil, assignedTo: nil, sort: .priority, limit: 200))
            sync = store.syncStatus(antenna: antenna) ?? sync
            error = nil
        } catch {
            self.error = error.localizedDescription
        }
    }

    func household(_ id: HouseholdId) -> HouseholdDetail? {
        try? store?.household(household: id)
    }

    func refresh() { store?.syncNow() }

    fileprivate func received(_ status: SyncStatus) {
        if status.antenna == antenna { sync = status }
    }
}

/// The store calls back on a background thread; the model lives on the main actor.
private final class ObserverBridge: StoreObserver, @unchecked Sendable {
    private weak var model: LeadModel?

    init(model: LeadModel) { self.model = model }

    func onChange(change: StoreChange) {
        let antennaChanged: Bool
        switch change {
        case .antenna, .householdErased, .many: antennaChanged = true
        case .household, .ledger: antennaChanged = false
        }
        Task { @MainActor [weak model] in model?.reload(antennaChanged: antennaChanged) }
    }

    func onSyncStatus(status: SyncStatus) {
        Task { @MainActor [weak model] in model?.received(status) }
    }
}
