namespace DhtPs.Core.Transfer;

/// <summary>How far a transfer of <see cref="Name"/> has come; what a cmdlet needs for Write-Progress.</summary>
public readonly record struct TransferProgress(string Name, long BytesDone, long BytesTotal)
{
    public int Percent => BytesTotal == 0 ? 100 : (int)(BytesDone * 100 / BytesTotal);
}
