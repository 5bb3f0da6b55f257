package org.jiran.screens.words

import org.jiran.core.DonationProblem
import org.jiran.core.InputProblem
import org.jiran.core.InputProblem.*
import org.jiran.core.Missing
import org.jiran.core.Role

internal val FrenchErrors = ErrorWords(
    field = { name ->
        when (name) {
            "name", "display_name" -> "Nom"
            "device_name" -> "Nom du téléphone"
            "phone" -> "Téléphone"
            "address" -> "Adresse"
            "landmark" -> "Repère"
            "national_id" -> "N° de CIN"
            "birth_year" -> "Année de naissance"
            "amount" -> "Montant ou quantité"
            "description" -> "Ce qui a été donné"
            "text", "note" -> "Note"
            "outcome" -> "Résultat"
            "code", "delivery_code" -> "Code de remise"
            "relay_url" -> "Adresse du relais"
            "members" -> "Membres"
            "keep_data" -> "Consentement"
            "funding" -> "Don"
            "due" -> "Échéance"
            "assigned_to" -> "Personne chargée"
            else -> null
        }
    },
    problem = { p ->
        when (p) {
            is Empty -> "ne doit pas être vide"
            is TooLong -> "est trop long (${p.max} caractères au plus)"
            is NotOneLine -> "doit tenir sur une ligne"
            is ControlCharacters -> "contient des caractères invisibles"
            is OutOfRange -> "doit être entre ${p.min} et ${p.max}"
            is NotPositive -> "doit être supérieur à zéro"
            is TooLarge -> "est trop grand"
            is NotAnAmount -> "doit être un montant en chiffres, comme 12,5"
            is TooManyDecimals -> if (p.decimals == 0u) "doit être un montant entier" else "a trop de décimales (${p.decimals} au plus)"
            is NotADate -> "doit être une date comme 2026-03-31"
            is NotAMonth -> "doit être un mois comme 2026-03"
            is InTheFuture -> "ne peut pas être dans le futur"
            is DueOutOfRange -> "doit être entre il y a une semaine et dans un an"
            is FromAfterTo -> "le premier mois ne doit pas être après le dernier"
            is PhoneCharacters -> "ne peut contenir que des chiffres, des espaces, des tirets et un + au début"
            is PhoneDigits -> "doit avoir entre 6 et 20 chiffres"
            is NationalIdCharacters -> "ne peut contenir que des lettres, des chiffres, des espaces et des tirets"
            is NationalIdLength -> "doit avoir entre 4 et 20 lettres et chiffres"
            is NotACurrency -> "doit être un code de monnaie comme TND ou EUR"
            is NotARelayAddress -> "doit commencer par http:// ou https://"
            is NotAnId -> "n'est pas valable ici ; revenez en arrière et réessayez"
            is NotADeviceKey -> "n'est pas la clé d'un téléphone"
            is NotAFederationKey -> "n'est pas une clé de fédération ; recopiez-la depuis le responsable qui l'a créée"
            is NoFederationKey -> "saisissez d'abord la clé que partagent vos antennes"
            is NoConsent -> "la famille doit accepter que l'antenne garde ses données"
            is WithdrawalMeansErasure -> "pour retirer le consentement, effacez le foyer"
            is NoMembers -> "ajoutez au moins une personne"
            is TooManyMembers -> "trop de personnes dans un seul foyer"
            is MergeIsItsOwnAction -> "utilisez Fusionner dans les doublons possibles"
            is MergeIntoItself -> "un foyer ne peut pas être fusionné avec lui-même"
            is MergeAcrossAntennas -> "les foyers de deux antennes ne peuvent pas être fusionnés"
            is KeepIsMerged -> "ce foyer est lui-même fusionné dans un autre"
            is AlreadyMerged -> "ce foyer est déjà fusionné dans un autre"
            is HouseholdMerged -> "ce foyer a été fusionné dans un autre ; remettez l'aide à celui-là"
            is ObserverAssigned -> "un observateur ne peut pas noter le résultat ; choisissez un bénévole ou un responsable"
            is TaskClosed -> "cette tâche est déjà faite ou annulée"
            is NoFunding -> "choisissez le don qui la finance"
            is SameDonation -> "choisissez un autre don"
            is NotFundingThisDelivery -> "ce don ne finance pas cette remise"
            is MoreThanFunded -> "dépasse ce que ce don apporte à cette remise"
            is OtherKindOfGift -> "le financement ne passe qu'entre dons de même nature"
            is NotADeliveryCode -> "doit être le code à six caractères du foyer, comme K7M-4PQ"
            is NoDeliveryCode -> "le foyer n'a pas encore de code de remise : créez-en un d'abord"
            is WrongDeliveryCode -> "ce n'est pas le code de ce foyer"
            is NoFreeDeliveryCode -> "aucun code libre n'a été trouvé ; réessayez"
        }
    },
    fieldProblem = { f, p -> "$f : $p" },
    fileRefused = "Ce fichier ne peut pas être importé. Rien n'a été importé.",
    notFound = { m ->
        when (m) {
            Missing.ANTENNA -> "Cette antenne n'est pas sur ce téléphone."
            Missing.HOUSEHOLD -> "Ce foyer n'est pas encore sur ce téléphone. Synchronisez, puis réessayez."
            Missing.DONATION -> "Ce don n'est pas encore sur ce téléphone. Synchronisez, puis réessayez."
            Missing.DELIVERY -> "Cette remise n'est pas encore sur ce téléphone. Synchronisez, puis réessayez."
            Missing.MEMBER -> "Cette personne n'est pas membre de l'antenne."
            Missing.RECORD -> "Ceci n'est plus sur ce téléphone. Revenez à la liste."
        }
    },
    erased = "Ce foyer a été effacé ; plus rien ne peut être noté à son sujet.",
    notPermitted = { role ->
        when (role) {
            null -> "Ce téléphone n'est pas membre de l'antenne."
            Role.LEAD -> "Même un responsable ne peut pas faire cela."
            Role.VOLUNTEER -> "Un bénévole ne peut pas faire cela : demandez à votre responsable."
            Role.OBSERVER -> "Un observateur ne peut pas faire cela : demandez à votre responsable."
        }
    },
    lastLead = "L'antenne garde au moins un responsable : nommez d'abord un autre membre responsable.",
    donation = { d ->
        when (d) {
            DonationProblem.TOO_LITTLE_LEFT -> "Il ne reste pas assez sur ce don."
            DonationProblem.NOT_RECEIVED -> "Ce don est promis, pas encore reçu."
            DonationProblem.RESTRICTED -> "Ce don ne peut financer qu'un autre besoin."
        }
    },
    inviteRefused = "Cette invitation est inconnue, déjà utilisée ou expirée : demandez-en une nouvelle à votre responsable.",
    needsNewInvite = "Le relais ne connaît plus ce téléphone : demandez une nouvelle invitation à votre responsable.",
    relayUnreachable = "Le relais est injoignable. Vérifiez la connexion et réessayez.",
    relayProblem = "Le relais a répondu de façon inattendue : vérifiez son adresse ou prévenez son opérateur.",
    updateTheApp = "Ce téléphone contient des données d'une version plus récente de Jiran : mettez l'application à jour.",
    storage = "Ce téléphone n'a pas pu enregistrer : vérifiez son espace libre.",
    internal = "Une erreur s'est produite dans Jiran. Merci de la signaler.",
)
