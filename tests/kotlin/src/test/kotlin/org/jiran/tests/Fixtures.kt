package org.jiran.tests

import org.jiran.core.NewHousehold
import org.jiran.core.NewPerson
import org.jiran.core.Priority
import org.jiran.core.Relationship
import org.jiran.core.VulnerabilityFlags

val NO_FLAGS = VulnerabilityFlags(
    elderly = false, disability = false, chronicIllness = false,
    childUnderFive = false, pregnant = false, lostInformalIncome = false,
)

fun household(name: String, phone: String? = null, priority: Priority = Priority.NORMAL) = NewHousehold(
    members = listOf(NewPerson(name, 1961u, Relationship.HEAD, NO_FLAGS.copy(elderly = true))),
    phone = phone,
    address = "behind the Saf Saf café",
    coordinates = null,
    keepData = true,
    shareWithMunicipality = false,
    contactByPhone = true,
    priority = priority,
    shock = null,
)
