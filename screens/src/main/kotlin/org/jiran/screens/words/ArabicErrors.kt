package org.jiran.screens.words

import org.jiran.core.DonationProblem
import org.jiran.core.InputProblem
import org.jiran.core.InputProblem.*
import org.jiran.core.Missing
import org.jiran.core.Role

internal val ArabicErrors = ErrorWords(
    field = { name ->
        when (name) {
            "name", "display_name" -> "الاسم"
            "device_name" -> "اسم الهاتف"
            "phone" -> "الهاتف"
            "address" -> "العنوان"
            "landmark" -> "المعلم القريب"
            "national_id" -> "رقم بطاقة التعريف"
            "birth_year" -> "سنة الولادة"
            "amount" -> "المبلغ أو الكمية"
            "description" -> "ما تم تقديمه"
            "text", "note" -> "الملاحظة"
            "outcome" -> "النتيجة"
            "code", "delivery_code" -> "رمز التسليم"
            "relay_url" -> "عنوان الخادم"
            "members" -> "أفراد الأسرة"
            "keep_data" -> "الموافقة"
            "funding" -> "التبرع"
            "due" -> "الموعد"
            "assigned_to" -> "المكلَّف"
            else -> null
        }
    },
    problem = { p ->
        when (p) {
            is Empty -> "لا يجوز أن يكون فارغًا"
            is TooLong -> "طويل جدًا (${p.max} حرفًا على الأكثر)"
            is NotOneLine -> "يجب أن يكون في سطر واحد"
            is ControlCharacters -> "يحتوي على رموز لا تُعرض"
            is OutOfRange -> "يجب أن يكون بين ${p.min} و${p.max}"
            is NotPositive -> "يجب أن يكون أكبر من صفر"
            is TooLarge -> "كبير جدًا"
            is NotAnAmount -> "يجب أن يكون مبلغًا بالأرقام، مثل 12.5"
            is TooManyDecimals -> if (p.decimals == 0u) "يجب أن يكون مبلغًا صحيحًا" else "فيه أرقام عشرية كثيرة (${p.decimals} على الأكثر)"
            is NotADate -> "يجب أن يكون تاريخًا مثل 2026-03-31"
            is NotAMonth -> "يجب أن يكون شهرًا مثل 2026-03"
            is InTheFuture -> "لا يمكن أن يكون في المستقبل"
            is DueOutOfRange -> "يجب أن يكون بين أسبوع مضى وسنة قادمة"
            is FromAfterTo -> "يجب ألا يكون الشهر الأول بعد الأخير"
            is PhoneCharacters -> "لا يحتوي إلا على أرقام ومسافات وشرطات و+ في البداية"
            is PhoneDigits -> "يجب أن يحتوي على 6 إلى 20 رقمًا"
            is NationalIdCharacters -> "لا يحتوي إلا على حروف وأرقام ومسافات وشرطات"
            is NationalIdLength -> "يجب أن يحتوي على 4 إلى 20 حرفًا ورقمًا"
            is NotACurrency -> "يجب أن يكون رمز عملة مثل TND أو EUR"
            is NotARelayAddress -> "يجب أن يبدأ بـ http:// أو https://"
            is NotAnId -> "غير صالح هنا؛ ارجع وحاول مرة أخرى"
            is NotADeviceKey -> "ليس مفتاح هاتف"
            is NotAFederationKey -> "ليس مفتاح اتحاد؛ انسخه من جديد من المسؤول الذي أنشأه"
            is NoFederationKey -> "أدخل أولًا المفتاح الذي تتشاركه فروعكم"
            is NoConsent -> "يجب أن توافق الأسرة على احتفاظ الفرع ببياناتها"
            is WithdrawalMeansErasure -> "لسحب الموافقة، احذف الأسرة"
            is NoMembers -> "أضف شخصًا واحدًا على الأقل"
            is TooManyMembers -> "عدد كبير جدًا من الأشخاص في أسرة واحدة"
            is MergeIsItsOwnAction -> "استعمل الدمج في التكرارات المحتملة"
            is MergeIntoItself -> "لا يمكن دمج أسرة في نفسها"
            is MergeAcrossAntennas -> "لا يمكن دمج أسرتين من فرعين مختلفين"
            is KeepIsMerged -> "هذه الأسرة مدمجة هي نفسها في أسرة أخرى"
            is AlreadyMerged -> "هذه الأسرة مدمجة من قبل في أسرة أخرى"
            is HouseholdMerged -> "دُمجت هذه الأسرة في أسرة أخرى؛ سلّم المساعدة لتلك الأسرة"
            is ObserverAssigned -> "لا يستطيع المراقب تسجيل النتيجة؛ اختر متطوعًا أو مسؤولًا"
            is TaskClosed -> "هذه المهمة منجزة أو ملغاة من قبل"
            is NoFunding -> "اختر التبرع الذي يموّلها"
            is SameDonation -> "اختر تبرعًا آخر"
            is NotFundingThisDelivery -> "هذا التبرع لا يموّل هذا التسليم"
            is MoreThanFunded -> "أكثر مما يقدّمه هذا التبرع لهذا التسليم"
            is OtherKindOfGift -> "لا ينتقل التمويل إلا بين تبرعات من النوع نفسه"
            is NotADeliveryCode -> "يجب أن يكون رمز الأسرة ذا الستة أحرف، مثل K7M-4PQ"
            is NoDeliveryCode -> "ليس للأسرة رمز تسليم بعد: أنشئ رمزًا أولًا"
            is WrongDeliveryCode -> "هذا ليس رمز هذه الأسرة"
            is NoFreeDeliveryCode -> "لم يوجد رمز متاح؛ حاول مرة أخرى"
        }
    },
    fieldProblem = { f, p -> "$f: $p" },
    fileRefused = "لا يمكن استيراد هذا الملف. لم يُستورد أي شيء.",
    notFound = { m ->
        when (m) {
            Missing.ANTENNA -> "هذا الفرع غير موجود على هذا الهاتف."
            Missing.HOUSEHOLD -> "هذه الأسرة ليست على هذا الهاتف بعد. زامن ثم حاول مرة أخرى."
            Missing.DONATION -> "هذا التبرع ليس على هذا الهاتف بعد. زامن ثم حاول مرة أخرى."
            Missing.DELIVERY -> "هذا التسليم ليس على هذا الهاتف بعد. زامن ثم حاول مرة أخرى."
            Missing.MEMBER -> "هذا الشخص ليس عضوًا في الفرع."
            Missing.RECORD -> "لم يعد هذا على الهاتف. ارجع إلى القائمة."
        }
    },
    erased = "حُذفت هذه الأسرة؛ لا يمكن تسجيل أي شيء عنها بعد الآن.",
    notPermitted = { role ->
        when (role) {
            null -> "هذا الهاتف ليس عضوًا في الفرع."
            Role.LEAD -> "لا يحق حتى للمسؤول القيام بهذا."
            Role.VOLUNTEER -> "لا يحق للمتطوع القيام بهذا: اسأل مسؤولك."
            Role.OBSERVER -> "لا يحق للمراقب القيام بهذا: اسأل مسؤولك."
        }
    },
    lastLead = "يبقى للفرع مسؤول واحد على الأقل: عيّن عضوًا آخر مسؤولًا أولًا.",
    donation = { d ->
        when (d) {
            DonationProblem.TOO_LITTLE_LEFT -> "لم يبقَ من هذا التبرع ما يكفي."
            DonationProblem.NOT_RECEIVED -> "هذا التبرع موعود به ولم يُستلم بعد."
            DonationProblem.RESTRICTED -> "لا يموّل هذا التبرع إلا حاجة أخرى."
        }
    },
    inviteRefused = "هذه الدعوة غير معروفة أو مستعملة أو منتهية: اطلب دعوة جديدة من مسؤولك.",
    needsNewInvite = "لم يعد الخادم يعرف هذا الهاتف: اطلب دعوة جديدة من مسؤولك.",
    relayUnreachable = "تعذّر الوصول إلى الخادم. تحقق من الاتصال وحاول مرة أخرى.",
    relayProblem = "أجاب الخادم بشيء غير متوقع: تحقق من عنوانه أو أخبر مشغّله.",
    updateTheApp = "يحتوي هذا الهاتف على بيانات من إصدار أحدث من جيران: حدّث التطبيق.",
    storage = "تعذّر الحفظ على هذا الهاتف: تحقق من المساحة المتاحة.",
    internal = "حدث خطأ في جيران. يرجى الإبلاغ عنه.",
)
