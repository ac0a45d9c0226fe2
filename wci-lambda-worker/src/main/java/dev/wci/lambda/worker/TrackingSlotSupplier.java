package dev.wci.lambda.worker;

import io.temporal.worker.tuning.SlotInfo;
import io.temporal.worker.tuning.SlotMarkUsedContext;
import io.temporal.worker.tuning.SlotPermit;
import io.temporal.worker.tuning.SlotReleaseContext;
import io.temporal.worker.tuning.SlotReserveContext;
import io.temporal.worker.tuning.SlotSupplier;
import io.temporal.worker.tuning.SlotSupplierFuture;
import java.util.Optional;

/**
 * Delegates slot management and reports task start (slot marked used) and end (slot released) to
 * {@link TaskActivity}. This is how idleness is detected without touching workflow or activity code:
 * every task the SDK runs, of any kind, passes through a slot.
 */
final class TrackingSlotSupplier<SI extends SlotInfo> implements SlotSupplier<SI> {

    private final SlotSupplier<SI> delegate;
    private final TaskActivity activity;
    private final TaskActivity.Kind kind;

    TrackingSlotSupplier(SlotSupplier<SI> delegate, TaskActivity activity, TaskActivity.Kind kind) {
        this.delegate = delegate;
        this.activity = activity;
        this.kind = kind;
    }

    @Override
    public SlotSupplierFuture reserveSlot(SlotReserveContext<SI> ctx) throws Exception {
        return delegate.reserveSlot(ctx);
    }

    @Override
    public Optional<SlotPermit> tryReserveSlot(SlotReserveContext<SI> ctx) {
        return delegate.tryReserveSlot(ctx);
    }

    @Override
    public void markSlotUsed(SlotMarkUsedContext<SI> ctx) {
        delegate.markSlotUsed(ctx);
        activity.taskStarted(kind, ctx.getSlotPermit());
    }

    @Override
    public void releaseSlot(SlotReleaseContext<SI> ctx) {
        delegate.releaseSlot(ctx);
        activity.slotReleased(ctx.getSlotPermit());
    }

    @Override
    public Optional<Integer> getMaximumSlots() {
        return delegate.getMaximumSlots();
    }
}
