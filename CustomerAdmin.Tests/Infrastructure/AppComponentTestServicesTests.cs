using CustomerAdmin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CustomerAdmin.Tests.Infrastructure;

public sealed class AppComponentTestServicesTests : AppComponentTest
{
    [Fact]
    public void EveryServiceTheAppRegistersResolvesInComponentTests()
    {
        var app = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        app.AddCustomerAdmin();
        var appServices = app.Services
            .Where(d => d.ServiceType.Assembly == typeof(AppServices).Assembly && !d.ServiceType.IsGenericTypeDefinition)
            .Select(d => d.ServiceType)
            .Distinct()
            .ToList();

        Assert.NotEmpty(appServices);
        Assert.All(appServices, type => Assert.NotNull(Services.GetService(type)));
    }
}
