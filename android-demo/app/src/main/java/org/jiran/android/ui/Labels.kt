package org.jiran.android.ui

import androidx.annotation.StringRes
import org.jiran.android.R
import org.jiran.core.NeedCategory
import org.jiran.core.Priority

/** The words for the core's vocabularies, in the phone's language. */
@StringRes
fun Priority.label(): Int = when (this) {
    Priority.LOW -> R.string.priority_low
    Priority.NORMAL -> R.string.priority_normal
    Priority.HIGH -> R.string.priority_high
    Priority.URGENT -> R.string.priority_urgent
}

@StringRes
fun NeedCategory.label(): Int = when (this) {
    NeedCategory.FOOD -> R.string.need_food
    NeedCategory.RENT -> R.string.need_rent
    NeedCategory.MEDICAL -> R.string.need_medical
    NeedCategory.UTILITIES -> R.string.need_utilities
    NeedCategory.EDUCATION -> R.string.need_education
    NeedCategory.DIGITAL_EQUIPMENT -> R.string.need_digital_equipment
    NeedCategory.OTHER -> R.string.need_other
}
