import JiranCore
import SwiftUI

/// One household as the lead reviews it: who, what they need, the plan, grievances, notes
/// and what they received.
struct HouseholdDetailView: View {
    @ObservedObject var model: LeadModel
    let id: HouseholdId

    var body: some View {
        if let household = model.household(id) {
            List {
                Section("Household") {
                    ForEach(household.members, id: \.id) { member in
                        Text(member.name)
                    }
                    Text(household.address)
                    if let phone = household.phone, household.consent.contactByPhone {
                        Text(phone)
                    }
                    if let shock = household.shock {
                        LabeledContent("Since", value: shock)
                    }
                    LabeledContent("Priority", value: household.priority.label)
                    LabeledContent("Shared with the municipality",
                                   value: household.consent.shareWithMunicipality ? "Yes" : "No")
                }
                Section("Needs") {
                    ForEach(household.needs, id: \.id) { need in
                        LabeledContent(need.category.label, value: need.description)
                    }
                }
                Section("Plan") {
                    ForEach(household.plan, id: \.id) { step in
                        LabeledContent(step.description, value: step.due ?? "")
                    }
                }
                Section("Grievances") {
                    ForEach(household.grievances, id: \.id) { grievance in
                        VStack(alignment: .leading) {
                            Text(grievance.category).font(.headline)
                            Text(grievance.text)
                            if let resolution = grievance.resolution {
                                Text(resolution).foregroundStyle(.secondary)
                            }
                        }
                        .foregroundStyle(grievance.status.isOpen ? .primary : .secondary)
                    }
                }
                Section("Notes") {
                    ForEach(household.notes, id: \.id) { note in Text(note.text) }
                }
                Section("Deliveries") {
                    ForEach(household.deliveries, id: \.id) { delivery in
                        LabeledContent(delivery.description,
                                       value: delivery.acknowledged ? "confirmed" : "")
                    }
                }
            }
            .navigationTitle(household.members.first?.name ?? "")
        } else {
            ContentUnavailableView("Not on this device yet", systemImage: "icloud.and.arrow.down")
        }
    }
}
