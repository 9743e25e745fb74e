"""locks: acquire / renew / release, the renewed ``with`` lock, shared holders, a lost lease."""

from __future__ import annotations

import time

from store_case_base import StoreCaseBase

from memex_client import LeaseLostError, LockTimeoutError, ValidationError


class LocksCases(StoreCaseBase):
    def test_locks(self) -> None:
        locks = self.s.locks
        lease = locks.acquire("report", lease_ms=5_000)
        self.assertEqual(locks.inspect("report")["holders"][0]["token"], lease.token)
        with self.assertRaises(LockTimeoutError) as cm:
            locks.acquire("report", timeout_ms=100)
        self.assertEqual((cm.exception.status, cm.exception.code), (503, "lock_timeout"))
        self.assertTrue(locks.renew(lease.lease_id))
        self.assertTrue(locks.release(lease.lease_id))
        self.assertFalse(locks.release(lease.lease_id))
        with locks.lock("report", lease_ms=300) as held:
            time.sleep(0.5)  # longer than the lease: the background thread renews it
            self.assertGreaterEqual(held.renewals, 2)
            self.assertFalse(held.lost)
            self.assertGreater(held.token, lease.token)
        self.assertEqual(locks.inspect("report")["holders"], [])
        with locks.lock("cfg", mode="shared"), locks.lock("cfg", mode="shared"):
            self.assertEqual(len(locks.inspect("cfg")["holders"]), 2)
        self.assertEqual(locks.with_lock("cfg", lambda held: held.token > 0), True)
        with self.assertRaises(ValidationError) as cm2:
            locks.acquire("x", lease_ms=10)
        self.assertEqual(cm2.exception.field, "options.leaseMs")

    def test_lock_lease_lost_raises(self) -> None:
        locks = self.s.locks
        with self.assertRaises(LeaseLostError) as cm:
            with locks.lock("job", lease_ms=300) as held:
                locks.release(held.lease_id)  # as if it lapsed: the server no longer knows it
                self.assertTrue(held.wait_lost(3))
                with self.assertRaises(LeaseLostError):
                    held.check()
        self.assertEqual(cm.exception.lock_name, "job")
