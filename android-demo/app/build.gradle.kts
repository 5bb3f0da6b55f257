// The field volunteers' app. The screens are the shared Compose module (../../screens, compiled
// and UI-tested on the desktop JVM by scripts/test), their logic ../viewmodels (plain Kotlin);
// this module adds only Android's glue: the activity, camera, connectivity, native library, JNA.
import org.gradle.api.tasks.Exec

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

val workspace = rootDir.parentFile

android {
    namespace = "org.jiran.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "org.jiran.android"
        minSdk = 26 // java.time.Duration in the generated bindings
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // A bare invite code typed by hand goes to this relay; a scanned QR code names its own.
        buildConfigField("String", "DEFAULT_RELAY", "\"${providers.gradleProperty("jiran.relay").getOrElse("")}\"")
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    sourceSets["main"].apply {
        java.srcDirs(
            "$workspace/screens/src/main/kotlin",
            "$workspace/android-demo/viewmodels/src/main/kotlin",
            "$workspace/target/bindings/kotlin",
        )
        jniLibs.srcDirs(layout.buildDirectory.dir("rustJniLibs"))
    }
}

// The Kotlin bindings, generated from the library by the workspace's uniffi-bindgen.
val uniffiBindings by tasks.registering(Exec::class) {
    workingDir = workspace
    commandLine("./scripts/bindgen")
}

// libjiran_bindings.so for each ABI, cross-compiled with cargo-ndk (see README.md).
val rustLibraries by tasks.registering(Exec::class) {
    workingDir = workspace
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-o", layout.buildDirectory.dir("rustJniLibs").get().asFile.path,
        "build", "--release", "-p", "jiran-bindings", "--lib",
    )
}

tasks.named("preBuild") { dependsOn(uniffiBindings, rustLibraries) }

dependencies {
    val composeBom = platform("androidx.compose:compose-bom:2025.01.01")
    implementation(composeBom)
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.material:material-icons-core")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.ui:ui-tooling-preview")
    implementation("androidx.activity:activity-compose:1.10.0")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.1")
    implementation("net.java.dev.jna:jna:5.16.0@aar")
    implementation("com.journeyapps:zxing-android-embedded:4.3.0")
    implementation("com.google.zxing:core:3.5.3") // the invite's QR code (screens/InviteQr.kt)
    debugImplementation("androidx.compose.ui:ui-tooling")
}
