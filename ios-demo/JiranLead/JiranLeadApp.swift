import JiranCore
import SwiftUI

/// The antenna lead's app: join once, then review the antenna offline.
@main
struct JiranLeadApp: App {
    @StateObject private var model = LeadModel.openDefault()

    var body: some Scene {
        WindowGroup {
            NavigationStack {
                if let failure = model.failure {
                    ContentUnavailableView("Jiran could not open its storage",
                                           systemImage: "externaldrive.badge.exclamationmark",
                                           description: Text(failure))
                } else if model.antenna == nil {
                    JoinView(model: model)
                } else {
                    OverviewView(model: model)
                }
            }
        }
    }
}
