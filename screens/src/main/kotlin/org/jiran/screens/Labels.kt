package org.jiran.screens

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import org.jiran.core.NeedCategory
import org.jiran.core.Priority
import org.jiran.core.Relationship
import org.jiran.core.Role

/** The words for the core's vocabularies, in the screens' language. */
@Composable
@ReadOnlyComposable
fun Priority.label(): String = LocalWords.current.let {
    when (this) {
        Priority.LOW -> it.priorityLow
        Priority.NORMAL -> it.priorityNormal
        Priority.HIGH -> it.priorityHigh
        Priority.URGENT -> it.priorityUrgent
    }
}

@Composable
@ReadOnlyComposable
fun NeedCategory.label(): String = LocalWords.current.let {
    when (this) {
        NeedCategory.FOOD -> it.needFood
        NeedCategory.RENT -> it.needRent
        NeedCategory.MEDICAL -> it.needMedical
        NeedCategory.UTILITIES -> it.needUtilities
        NeedCategory.EDUCATION -> it.needEducation
        NeedCategory.DIGITAL_EQUIPMENT -> it.needDigitalEquipment
        NeedCategory.OTHER -> it.needOther
    }
}

@Composable
@ReadOnlyComposable
fun Role.label(): String = LocalWords.current.let {
    when (this) {
        Role.LEAD -> it.roleLead
        Role.VOLUNTEER -> it.roleVolunteer
        Role.OBSERVER -> it.roleObserver
    }
}

@Composable
@ReadOnlyComposable
fun Relationship.label(): String = LocalWords.current.let {
    when (this) {
        Relationship.HEAD -> it.relationshipHead
        Relationship.SPOUSE -> it.relationshipSpouse
        Relationship.CHILD -> it.relationshipChild
        Relationship.PARENT -> it.relationshipParent
        Relationship.SIBLING -> it.relationshipSibling
        Relationship.GRANDCHILD -> it.relationshipGrandchild
        Relationship.OTHER -> it.relationshipOther
    }
}
