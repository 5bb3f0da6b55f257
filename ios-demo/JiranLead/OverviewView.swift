import JiranCore
import SwiftUI

/// The antenna at a glance: who waits (by priority), for what (open needs), open grievances,
/// what the donations have left, and over-allocations to resolve after offline merges.
struct OverviewView: View {
    @ObservedObject var model: LeadModel

    var body: some View {
        List {
            Section { SyncStatusView(status: model.sync) }
            if let error = model.error {
                Section { Text(error).foregroundStyle(.red) }
            }
            if let overview = model.overview {
                Section("\(overview.activeHouseholds) households helped") {
                    ForEach(overview.byPriority, id: \.priority) { line in
                        LabeledContent(line.priority.label, value: "\(line.households)")
                    }
                }
                Section("Open needs") {
                    ForEach(overview.openNeeds.filter { $0.households > 0 }, id: \.category) { line in
                        LabeledContent(line.category.label, value: "\(line.households)")
                    }
                }
                Section("Grievances") {
                    LabeledContent("Waiting for an answer", value: "\(overview.openGrievances)")
                }
                if !overview.overAllocations.isEmpty {
                    Section("Over-allocated donations") {
                        ForEach(overview.overAllocations, id: \.donation) { over in
                            VStack(alignment: .leading) {
                                Text("\(over.allocated) of \(over.amount) \(over.unit) allocated")
                                    .foregroundStyle(.red)
                                Text("\(over.deliveries.count) deliveries recorded offline draw on it")
                                    .font(.footnote)
                            }
                        }
                    }
                }
                Section("Donations") {
                    ForEach(overview.balances, id: \.id) { balance in
                        VStack(alignment: .leading) {
                            Text(balance.remainingText + " left")
                            Text("\(balance.delivered) of \(balance.amount) delivered to \(balance.householdsReached) households")
                                .font(.footnote).foregroundStyle(.secondary)
                        }
                    }
                }
            }
            Section("Households by priority") {
                ForEach(model.households, id: \.id) { line in
                    NavigationLink(value: line.id) {
                        HStack {
                            Text(line.headName ?? "Arriving with the next sync")
                            Spacer()
                            Text(line.priority.label).foregroundStyle(.secondary)
                        }
                    }
                    .disabled(line.headName == nil)
                }
            }
        }
        .navigationTitle(model.antennaName.isEmpty ? "Antenna" : model.antennaName)
        .navigationDestination(for: HouseholdId.self) { id in
            HouseholdDetailView(model: model, id: id)
        }
        .refreshable { model.refresh() }
    }
}
