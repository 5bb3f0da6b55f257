import JiranCore

// Words for the core's vocabularies. English for now; Localizable strings come with the
// French and Arabic translations of the Android demo.
extension Priority {
    var label: String {
        switch self {
        case .low: return "Low"
        case .normal: return "Normal"
        case .high: return "High"
        case .urgent: return "Urgent"
        }
    }
}

extension NeedCategory {
    var label: String {
        switch self {
        case .food: return "Food"
        case .rent: return "Rent"
        case .medical: return "Medical"
        case .utilities: return "Utilities"
        case .education: return "Education"
        case .digitalEquipment: return "Digital equipment"
        case .other: return "Other"
        }
    }
}

extension GrievanceStatus {
    var isOpen: Bool { self == .open || self == .inReview }
}

extension DonationBalance {
    /// "120 TND of rice" style: what is left, in the donation's own unit.
    var remainingText: String { "\(remaining) \(unit)" + (item.map { " · \($0)" } ?? "") }
}
