namespace DhtPs.Core.Transfer;

/// <summary>
/// Reports progress every <see cref="Step"/> bytes and at the end, not for every chunk: a 1 GiB file is
/// ~17 000 chunks, and each report may marshal to a pipeline thread.
/// </summary>
internal struct ProgressThrottle(IProgress<TransferProgress>? progress, string name, long total)
{
    public const long Step = 1024 * 1024;

    private long _lastReported = -1;

    public void Advance(long done)
    {
        if (progress is null || (done - _lastReported < Step && done != total) || done == _lastReported)
            return;
        _lastReported = done;
        progress.Report(new TransferProgress(name, done, total));
    }
}
