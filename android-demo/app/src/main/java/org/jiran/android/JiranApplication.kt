package org.jiran.android

import android.app.Application
import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import org.jiran.core.JiranStore

/**
 * Holds the one store of the app for its whole life, in the app's private files (not backed
 * up: see allowBackup in the manifest), and tells the sync engine when the network comes
 * and goes so it neither burns battery offline nor waits out a backoff when it returns.
 */
class JiranApplication : Application() {
    lateinit var store: JiranStore
        private set

    override fun onCreate() {
        super.onCreate()
        store = JiranStore.open(filesDir.resolve("jiran").path)
        val connectivity = getSystemService(Context.CONNECTIVITY_SERVICE) as ConnectivityManager
        store.setOnline(connectivity.activeNetwork != null)
        connectivity.registerDefaultNetworkCallback(object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) {
                store.setOnline(true)
                store.syncNow()
            }

            override fun onLost(network: Network) = store.setOnline(false)
        })
    }
}
